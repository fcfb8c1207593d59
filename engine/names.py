"""Names the compiler and desugarer generate.

They contain a character that no predicate name in a rule file can contain, so a generated
predicate can never collide with a user's, and queries cannot address one by accident.
"""

INTERNAL = ":"
