"""Catalogue permissions (ARCHITECTURE §5), on top of core's region predicates."""

from __future__ import annotations

from typing import Any

import rules

from core.rules import (
    can_coordinate_region_of,
    can_edit_region_of,
    can_view_region_of,
    register_region_scoped,
)


@rules.predicate
def is_published(user: Any, obj: object | None = None) -> bool:
    return obj is not None and getattr(obj, "state", None) == "published"


register_region_scoped("catalogue", "facility")
register_region_scoped("catalogue", "equipment")
register_region_scoped("catalogue", "service")

# Editors draft and submit; publishing and archiving is the coordinator's call.
rules.add_perm("catalogue.publish_facility", can_coordinate_region_of)
rules.add_perm("catalogue.archive_facility", can_coordinate_region_of)
rules.add_perm("catalogue.submit_facility", can_edit_region_of)
rules.add_perm("catalogue.verify_facility", can_edit_region_of)
# The "my region" worklist: anyone who reads or edits some region.
rules.add_perm("catalogue.view_worklist", can_view_region_of | can_edit_region_of)
# The public page: published facilities for everyone, the rest for the region's readers.
rules.add_perm("catalogue.see_facility", is_published | can_view_region_of)

# Enquiries hold an SME's personal data: the region's editors and coordinators answer
# them; viewers (read-only) and other regions see none of it (issue #7).
rules.add_perm("catalogue.view_enquirythread", can_edit_region_of)
rules.add_perm("catalogue.change_enquirythread", can_edit_region_of)
rules.add_perm("catalogue.add_enquirythread", rules.always_deny)
rules.add_perm("catalogue.delete_enquirythread", rules.always_deny)
