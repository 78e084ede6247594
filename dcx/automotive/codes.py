"""SAE J2012 diagnostic trouble codes, explained in plain words for the car's owner.

A code is five characters: the system (P powertrain, C chassis, B body, U network), then
whether it is generic (defined by SAE, the same on every car) or the maker's own, then the
subsystem and the fault. The table below holds a small set of common generic codes with an
explanation written for drivers; any other well-formed code gets an explanation built from
its parts, so the owner is never left with five bare characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

CODE_FORMAT = re.compile(r"^[PCBU][0-3][0-9A-F]{3}$")

SEVERITIES = ("info", "warning", "critical")

# "yes": drive normally; "soon": drive, but have it checked soon; "no": stop and get help.
DRIVE_NOW = {
    "yes": _l("Yes, you can keep driving normally."),
    "soon": _l("Yes, but gently, and have it checked within days."),
    "no": _l("No. Stop when it is safe and call for assistance."),
}

# The answer to "can I drive now?" follows from how serious a code is, and from nothing else:
# a "critical" badge next to "yes, drive on" would contradict itself on the same card.
DRIVE_FOR_SEVERITY = {"info": "yes", "warning": "soon", "critical": "no"}

SYSTEMS = {
    "P": _l("engine and transmission (powertrain)"),
    "C": _l("chassis: brakes, steering and suspension"),
    "B": _l("body: airbags, seats, lights and comfort"),
    "U": _l("communication between the car's control units"),
}

POWERTRAIN_AREAS = {
    "0": _l("fuel and air metering"),
    "1": _l("fuel and air metering"),
    "2": _l("fuel and air metering (injectors)"),
    "3": _l("ignition and misfire detection"),
    "4": _l("emission controls"),
    "5": _l("speed, idle control and auxiliary inputs"),
    "6": _l("the engine computer and its outputs"),
    "7": _l("transmission"),
    "8": _l("transmission"),
    "9": _l("transmission"),
    "A": _l("hybrid propulsion"),
    "B": _l("hybrid propulsion"),
    "C": _l("hybrid propulsion"),
}


@dataclass(frozen=True)
class CodeInfo:
    """What a trouble code means for the owner: title, explanation, severity, can I drive."""

    code: str
    title: str
    explanation: str
    severity: str
    generic: bool
    known: bool

    @property
    def drive(self) -> str:
        """Whether the car can be driven ("yes", "soon" or "no"), as its severity says."""
        return DRIVE_FOR_SEVERITY[self.severity]

    @property
    def drive_advice(self) -> str:
        """The plain answer to "can I drive now?"."""
        return str(DRIVE_NOW[self.drive])

    @property
    def system(self) -> str:
        """The car system the code belongs to."""
        return str(SYSTEMS[self.code[0]])


# code: (title, explanation, severity); the driving advice follows from the severity.
TABLE: dict[str, tuple[str, str, str]] = {
    "P0011": (
        _l("Camshaft timing too far advanced"),
        _l(
            "The engine computer sees the camshaft turning earlier than it asked for. Often old "
            "or low oil, sometimes the timing adjuster. Check the oil level first."
        ),
        "warning",
    ),
    "P0101": (
        _l("Air flow sensor reading out of range"),
        _l(
            "The sensor that measures air going into the engine gives odd values, so fuelling is "
            "less precise. A dirty sensor or air leak is the usual cause."
        ),
        "warning",
    ),
    "P0128": (
        _l("Engine takes too long to warm up"),
        _l(
            "The coolant stays cooler than it should, usually because the thermostat sticks open. "
            "Fuel use rises and the heater is weak, but it is not harmful in the short term."
        ),
        "info",
    ),
    "P0171": (
        _l("Engine running lean (bank 1)"),
        _l(
            "There is too much air for the fuel being injected. A small vacuum leak, a weak fuel "
            "pump or a dirty air flow sensor are typical causes."
        ),
        "warning",
    ),
    "P0172": (
        _l("Engine running rich (bank 1)"),
        _l(
            "Too much fuel for the air coming in. It wastes fuel and can damage the catalytic "
            "converter if left for long."
        ),
        "warning",
    ),
    "P0217": (
        _l("Engine overheating"),
        _l(
            "The engine is hotter than it is designed for. Driving on can warp the cylinder head "
            "within minutes."
        ),
        "critical",
    ),
    "P0300": (
        _l("Engine misfires on several cylinders"),
        _l(
            "Fuel is not burning properly in more than one cylinder: you may feel shaking or loss "
            "of power. Unburnt fuel can overheat the catalytic converter. If the engine light "
            "flashes, stop."
        ),
        "critical",
    ),
    "P0301": (
        _l("Cylinder 1 misfire"),
        _l("One cylinder is not firing reliably, most often a worn spark plug or ignition coil."),
        "warning",
    ),
    "P0302": (
        _l("Cylinder 2 misfire"),
        _l("One cylinder is not firing reliably, most often a worn spark plug or ignition coil."),
        "warning",
    ),
    "P0335": (
        _l("Crankshaft position sensor fault"),
        _l(
            "The engine computer cannot reliably tell where the crankshaft is. The engine may "
            "stall or refuse to restart."
        ),
        "critical",
    ),
    "P0420": (
        _l("Catalytic converter working below standard (bank 1)"),
        _l(
            "The exhaust cleaner is not removing as much pollution as it should. The car drives "
            "normally, but it may fail its emissions test."
        ),
        "info",
    ),
    "P0442": (
        _l("Small leak in the fuel vapour system"),
        _l(
            "Fuel vapour escapes somewhere between the tank and the engine. Check that the fuel "
            "cap clicks shut; otherwise a hose or seal needs replacing."
        ),
        "info",
    ),
    "P0455": (
        _l("Large leak in the fuel vapour system"),
        _l(
            "Most often the fuel cap is missing or loose. Tighten it; the light goes out after a "
            "few drives if that was it."
        ),
        "info",
    ),
    "P0507": (
        _l("Idle speed higher than expected"),
        _l("The engine idles faster than it should, usually from an air leak or dirty throttle."),
        "info",
    ),
    "P0524": (
        _l("Engine oil pressure too low"),
        _l(
            "The engine is not getting enough oil pressure. Running it this way can destroy the "
            "engine."
        ),
        "critical",
    ),
    "P0562": (
        _l("Electrical system voltage low"),
        _l(
            "The battery or alternator is not keeping the electrical system charged. The car may "
            "not start next time; the battery is the usual suspect."
        ),
        "warning",
    ),
    "P0563": (
        _l("Electrical system voltage high"),
        _l(
            "The charging system is overcharging, which can damage the battery and electronics. "
            "Usually the alternator's regulator."
        ),
        "warning",
    ),
    "P0700": (
        _l("Transmission fault reported"),
        _l(
            "The gearbox computer has stored its own fault. Gear changes may be harsh or the "
            "gearbox may hold one gear to protect itself."
        ),
        "warning",
    ),
    "C0035": (
        _l("Left front wheel speed sensor fault"),
        _l(
            "The anti-lock brakes and stability control cannot read the left front wheel's speed, "
            "so they may switch off. Normal braking still works."
        ),
        "warning",
    ),
    "C0040": (
        _l("Right front wheel speed sensor fault"),
        _l(
            "The anti-lock brakes and stability control cannot read the right front wheel's speed, "
            "so they may switch off. Normal braking still works."
        ),
        "warning",
    ),
    "B0001": (
        _l("Driver front airbag circuit fault"),
        _l(
            "The driver's airbag may not deploy in a crash. The car drives normally, but you are "
            "less protected until it is repaired."
        ),
        "warning",
    ),
    "B0020": (
        _l("Left side airbag circuit fault"),
        _l(
            "The left side airbag may not deploy in a crash. The car drives normally, but the "
            "occupant on that side is less protected until it is repaired."
        ),
        "warning",
    ),
    "U0073": (
        _l("Control unit network is off"),
        _l(
            "The car's internal network stopped talking. Several warning lights may come on and "
            "features may stop working."
        ),
        "critical",
    ),
    "U0100": (
        _l("Lost communication with the engine computer"),
        _l(
            "Other units cannot hear the engine computer. The engine may run poorly or stall; "
            "wiring or a weak battery is often behind it."
        ),
        "critical",
    ),
    "U0121": (
        _l("Lost communication with the anti-lock brake unit"),
        _l(
            "The anti-lock brakes may be switched off. Brakes still work normally, but without "
            "ABS on slippery roads."
        ),
        "warning",
    ),
}


def normalise(code: str) -> str:
    """Upper-case and trim a code as typed or sent."""
    return (code or "").strip().upper()


def is_valid(code: str) -> bool:
    """True when ``code`` has the J2012 form: system letter, digit 0-3, three hex digits."""
    return bool(CODE_FORMAT.match(code or ""))


def is_generic(code: str) -> bool:
    """True for codes SAE defines for every car; False for the maker's own codes.

    Second character 0 or 2 is generic, 1 is the maker's; 3 is the maker's for B/C/U and for
    P30xx-P33xx (P34xx-P39xx are generic again).
    """
    second = code[1]
    if second in "02":
        return code[0] == "P" or second == "0"
    if second == "1":
        return False
    return code[0] == "P" and code[2] in "456789"


def explain(code: str) -> CodeInfo:
    """Explain a code for the owner; ValueError if it is not a well-formed J2012 code."""
    code = normalise(code)
    if not is_valid(code):
        raise ValueError(f"not a J2012 trouble code: {code!r}")
    generic = is_generic(code)
    if code in TABLE:
        title, text, severity = TABLE[code]
        return CodeInfo(code, str(title), str(text), severity, generic, True)
    area = POWERTRAIN_AREAS.get(code[2], "") if code[0] == "P" else ""
    system = SYSTEMS[code[0]]
    if generic:
        title = _l("Generic %(system)s fault", system=system)
    else:
        title = _l("Maker-specific %(system)s fault", system=system)
    text = _l(
        "Your car reported a fault in its %(system)s%(area)s. The exact meaning of this code "
        "is %(whose)s; a technician reads the detail with the diagnostic tool.",
        system=system,
        area=(", " + str(area)) if area else "",
        whose=_l("defined by SAE") if generic else _l("defined by the car's maker"),
    )
    # Not knowing the fault, the owner is told to have it read soon, never to stop the car
    # on a guess (nor to drive on as if nothing were wrong).
    return CodeInfo(code, str(title), str(text), "warning", generic, False)
