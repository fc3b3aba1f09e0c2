from modeltranslation.translator import TranslationOptions, register

from catalogue.models import Facility


@register(Facility)
class FacilityTranslationOptions(TranslationOptions):
    fields = ("name", "tagline", "description")
    # Pages fall back to English, then to whatever language holds text (issue 3).
    fallback_undefined = ""
