"""The shared duplicate and story index in Redis (see `newsflow.placement.index`); its Lua scripts are
the `.lua` files of this package, its binary layout `newsflow.placement.layout`."""

from newsflow.placement.index import Index, day_number, term_hash

__all__ = ["Index", "day_number", "term_hash"]
