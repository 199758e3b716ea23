import phonenumbers


def normalize_phone(raw: str, region: str | None = None) -> str:
    """E.164 form of a phone number ("+46701234567"); ValueError when invalid."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"'{raw}' is not a phone number.") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"'{raw}' is not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
