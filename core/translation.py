from modeltranslation.translator import TranslationOptions, register

from core.models import Term


@register(Term)
class TermTranslationOptions(TranslationOptions):
    fields = ("label", "description", "synonyms")
