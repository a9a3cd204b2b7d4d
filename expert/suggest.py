"""The one 'did you mean' helper, so every message suggests names the same way."""
import difflib
from collections.abc import Iterable


def closest(name: str, options: Iterable[str], n: int = 1) -> list[str]:
    return difflib.get_close_matches(str(name), [str(o) for o in options], n=n)


def did_you_mean(name: str, options: Iterable[str], n: int = 1) -> str:
    """'; did you mean 'x'?' (or 'x, y' for n > 1), or '' when nothing is close."""
    near = closest(name, options, n)
    if not near:
        return ""
    return f"; did you mean '{near[0]}'?" if n == 1 else f"; did you mean {', '.join(near)}?"
