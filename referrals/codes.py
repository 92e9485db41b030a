"""Referral codes: what the person reads on the slip and says on the phone."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from territory.models import Department

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B
CODE_LENGTH = 6  # 25**6: 244 million codes per département


def referral_code_new(department: Department) -> str:
    """« LOT-7K3QAC »: the département's prefix, then six characters that read aloud without
    confusion."""
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{department.referral_prefix}-{suffix}"


def referral_code_typed(text: str, department: Department | None) -> str:
    """A code as typed (« 7k3qac », « lot-7K3QAC »): upper case, without spaces, with the
    user's département's prefix when none was typed."""
    code = "".join(str(text).split()).upper()
    if code and "-" not in code and department is not None:
        code = f"{department.referral_prefix}-{code}"
    return code
