"""The shared duplicate and story index in Redis (see `newsflow.index.core`); its Lua scripts are
the `.lua` files of this package, its binary layout `newsflow.index.layout`."""

from newsflow.index.core import Index, day_number, term_hash

__all__ = ["Index", "day_number", "term_hash"]
