"""The Lua scripts of the Redis state (admission, commit, site profiles, tag index), as `.lua`
files read with importlib.resources. (The index's scripts live with it, in `newsflow/placement/`.)"""

from importlib import resources


def source(name: str, package: str = __name__) -> str:
    """The text of `<name>.lua` in `package` (this one unless another package keeps its own)."""
    return resources.files(package).joinpath(f"{name}.lua").read_text(encoding="utf-8")
