"""FHIR in: a device gateway's Observations (or a transaction Bundle of them) as our readings.

Each Observation is mapped by its LOINC code onto a vital we know, its UCUM unit checked, and
turned into the reading shape :func:`dcx.health.devices.ingest` stores. Anything we cannot
map is refused with the reason, so the gateway's operator can see what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dcx.health.rules import HealthError

LOINC = "http://loinc.org"
BP_PANEL = "85354-9"
SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
# LOINC code -> our vital, and the UCUM unit we store it in.
SINGLE: dict[str, tuple[str, str]] = {
    "8867-4": ("heart_rate", "/min"),
    "29463-7": ("weight", "kg"),
    "2339-0": ("glucose", "mg/dL"),
    "59408-5": ("spo2", "%"),
    "2708-6": ("spo2", "%"),  # the vital-signs profile's other oxygen saturation code
    "8310-5": ("temperature", "Cel"),
}
KNOWN_CODES = sorted({BP_PANEL, *SINGLE})
USABLE_STATUSES = ("final", "amended", "corrected", "preliminary")

_QUANTITY = {
    "type": "object",
    "required": ["value"],
    "properties": {"value": {"type": "number"}, "code": {"type": "string"}},
}
_CODEABLE = {
    "type": "object",
    "required": ["coding"],
    "properties": {
        "coding": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {"system": {"type": "string"}, "code": {"type": "string"}},
            },
        }
    },
}
OBSERVATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A FHIR R4 Observation. Its code is a LOINC code (coding system "
    f"{LOINC}) from: {', '.join(KNOWN_CODES)}; the blood-pressure panel {BP_PANEL} carries "
    f"components {SYSTOLIC} and {DIASTOLIC}, every other code a valueQuantity in the UCUM "
    "unit of that vital (mm[Hg], /min, kg, mg/dL, %, Cel). status is one of "
    f"{', '.join(USABLE_STATUSES)}; effectiveDateTime (or effectiveInstant) is required; the "
    "first identifier's value (else id) makes a resend a duplicate, not a second reading.",
    "required": ["resourceType", "code"],
    "properties": {
        "resourceType": {"const": "Observation"},
        "id": {"type": "string", "maxLength": 64},
        "status": {"type": "string"},
        "code": _CODEABLE,
        "effectiveDateTime": {"type": "string", "maxLength": 40},
        "effectiveInstant": {"type": "string", "maxLength": 40},
        "valueQuantity": _QUANTITY,
        "component": {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": _CODEABLE, "valueQuantity": _QUANTITY},
            },
        },
        "identifier": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"value": {"type": "string", "maxLength": 80}},
            },
        },
    },
}
BUNDLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A FHIR R4 transaction (or batch) Bundle whose entries are Observations.",
    "required": ["resourceType", "type", "entry"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "type": {"enum": ["transaction", "batch"]},
        "entry": {
            "type": "array",
            "minItems": 1,
            "maxItems": 200,
            "items": {
                "type": "object",
                "required": ["resource"],
                "properties": {"resource": OBSERVATION_SCHEMA},
            },
        },
    },
}
FHIR_SCHEMA: dict[str, Any] = {"oneOf": [OBSERVATION_SCHEMA, BUNDLE_SCHEMA]}


def _loinc(concept: Mapping[str, Any]) -> str | None:
    for coding in concept.get("coding", []):
        if coding.get("system") == LOINC and coding.get("code"):
            return str(coding["code"])
    return None


def _value(quantity: Any, unit: str, what: str) -> float:
    if not isinstance(quantity, Mapping) or "value" not in quantity:
        raise HealthError(f"{what}: valueQuantity with a value is required")
    given = quantity.get("code") or quantity.get("unit")
    if given is not None and given != unit:
        raise HealthError(f"{what}: unit {given!r} is not the UCUM unit {unit!r} we store")
    return float(quantity["value"])


def reading_from_observation(obs: Mapping[str, Any], where: str = "Observation") -> dict:
    """One Observation as a reading for :func:`dcx.health.devices.ingest`; HealthError if not."""
    status = obs.get("status", "final")
    if status not in USABLE_STATUSES:
        raise HealthError(f"{where}: status {status!r} is not a usable reading")
    code = _loinc(obs["code"])
    if code is None:
        raise HealthError(f"{where}: code has no LOINC coding ({LOINC})")
    observed_at = obs.get("effectiveDateTime") or obs.get("effectiveInstant")
    if not observed_at:
        raise HealthError(f"{where}: effectiveDateTime is required")
    reading: dict[str, Any] = {"observed_at": observed_at}
    identifiers = [i.get("value") for i in obs.get("identifier", []) if i.get("value")]
    external_id = identifiers[0] if identifiers else obs.get("id")
    if external_id:
        reading["id"] = str(external_id)[:80]
    if code == BP_PANEL:
        parts = {_loinc(c["code"]): c.get("valueQuantity") for c in obs.get("component", [])}
        if SYSTOLIC not in parts or DIASTOLIC not in parts:
            raise HealthError(f"{where}: a {BP_PANEL} panel needs {SYSTOLIC} and {DIASTOLIC}")
        reading["type"] = "bp"
        reading["systolic"] = _value(parts[SYSTOLIC], "mm[Hg]", f"{where} {SYSTOLIC}")
        reading["diastolic"] = _value(parts[DIASTOLIC], "mm[Hg]", f"{where} {DIASTOLIC}")
        return reading
    if code not in SINGLE:
        raise HealthError(
            f"{where}: LOINC {code} is not a vital we record (known: {', '.join(KNOWN_CODES)})"
        )
    kind, unit = SINGLE[code]
    reading["type"] = kind
    reading["value"] = _value(obs.get("valueQuantity"), unit, f"{where} {code}")
    return reading


def readings_from_fhir(body: Mapping[str, Any]) -> list[dict]:
    """The readings in an Observation or a transaction Bundle of Observations."""
    if body.get("resourceType") == "Observation":
        return [reading_from_observation(body)]
    return [
        reading_from_observation(entry["resource"], f"entry[{n}]")
        for n, entry in enumerate(body["entry"])
    ]
