"""Names the compiler and desugarer generate.

They contain a character that no name in a rule file can contain, so a generated predicate or
variable can never collide with a user's, and queries and facts cannot address one.
"""

INTERNAL = ":"


def fresh(kind: str, number: int) -> str:
    """A generated variable name, e.g. ':anon3' for the fourth `_` of a rule."""
    return f"{INTERNAL}{kind}{number}"


def is_generated(name: str) -> bool:
    return INTERNAL in name
