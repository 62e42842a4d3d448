"""phonenumbers, trimmed: matching and validation metadata only; the geocoder, carrier and timezone
data (~43 MB) are never used."""

from PyInstaller.utils.hooks import collect_submodules

_UNUSED = ("phonenumbers.geodata", "phonenumbers.carrierdata", "phonenumbers.tzdata")
hiddenimports = collect_submodules("phonenumbers", filter=lambda name: not name.startswith(_UNUSED))
