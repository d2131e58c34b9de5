"""The Lua scripts of the Redis state (admission, commit, site profiles, tag index), as `.lua`
files read with importlib.resources. (The index's scripts live with it, in `newsflow/index/`.)"""

from importlib import resources


def source(name: str) -> str:
    """The text of `<name>.lua` of this package."""
    return resources.files(__name__).joinpath(f"{name}.lua").read_text(encoding="utf-8")
