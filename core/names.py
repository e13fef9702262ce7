"""The English names people read for the language and country codes the platform stores."""

from __future__ import annotations

LANGUAGES = {
    "ar": "Arabic", "bn": "Bengali", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "kn": "Kannada", "ko": "Korean", "ml": "Malayalam", "mr": "Marathi", "nl": "Dutch",
    "no": "Norwegian", "pa": "Punjabi", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "sv": "Swedish", "ta": "Tamil", "te": "Telugu", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

COUNTRIES = {
    "AE": "the United Arab Emirates", "AR": "Argentina", "AT": "Austria", "AU": "Australia", "BE": "Belgium",
    "BR": "Brazil", "CA": "Canada", "CH": "Switzerland", "CN": "China", "CZ": "the Czech Republic",
    "DE": "Germany", "DK": "Denmark", "DZ": "Algeria", "EG": "Egypt", "ES": "Spain", "FI": "Finland",
    "FR": "France", "GB": "the United Kingdom", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IL": "Israel",
    "IN": "India", "IT": "Italy", "JP": "Japan", "KR": "South Korea", "LB": "Lebanon", "LU": "Luxembourg",
    "MA": "Morocco", "MC": "Monaco", "MX": "Mexico", "NL": "the Netherlands", "NO": "Norway",
    "NZ": "New Zealand", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SA": "Saudi Arabia",
    "SE": "Sweden", "SG": "Singapore", "SN": "Senegal", "TN": "Tunisia", "TR": "Turkey", "US": "the United States",
    "ZA": "South Africa",
}  # fmt: skip


def language_name(code: str) -> str:
    """'fr' -> 'French'; an unknown code as it is."""
    return LANGUAGES.get(code.lower(), code)


def country_name(code: str) -> str:
    """'FR' -> 'France', 'GB' -> 'the United Kingdom'; an unknown code as it is."""
    return COUNTRIES.get(code.upper(), code)
