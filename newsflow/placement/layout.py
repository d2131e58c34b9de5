"""The index's binary layout, in one place: sizes, the record header's fields, and the Lua prelude
generated from them, so the scripts and the Python decoder read the same table.

A record is HEADER bytes of fields (below), then the 128-byte b-bit MinHash, then MAX_VECTOR
story-vector slots of (uint32 term hash, uint8 weight). An original's embedding (EMBEDDING int8
values, all zeros when it has none) lives beside it in a vector string of VEC_CHUNK slots.
"""

from __future__ import annotations

import struct
from newsflow import lua
from newsflow.fingerprint.signatures import NUM_PERM
from newsflow.keys import Keys

#: Shards of the id and sha maps (hash keys).
ID_SHARDS = 4096
#: Entries in a 64-byte LSH line: 10 x (16-bit tag = high half of the band value, 32-bit number).
LSH_WAYS = 10
#: Terms in a 64-byte document-frequency line: 8 x (32-bit term hash, 32-bit count).
DF_WAYS = 8
#: Posting lists in a 128-byte posting line: 3 x (term hash, length, POST_MAX numbers), 40 bytes each.
POST_WAYS, POST_MAX = 3, 8
#: Records per record string, reverse ids per id string.
REC_CHUNK = 64
#: Embeddings per vector string: 47 x 512 bytes + the string's header is just under the allocator's
#: 24 KiB size class (48 would take the 28 KiB class: 597 bytes a vector).
VEC_CHUNK = 47
NUM_CHUNK = 256
#: Story vector slots in a record (IndexSettings.story_vector_terms is capped at this).
MAX_VECTOR = 24
#: Bytes of a stored embedding: one int8 per dimension of the sentence model (newsflow.embed.DIMENSIONS).
EMBEDDING = 512

#: The record header, in order: (field, struct code, meaning). Numbers are internal article
#: numbers (1, 2, ...; 0 none); similarities and thresholds are scaled by 10,000.
HEADER_FIELDS = (
    ("root", "I", "number of the article's original (itself when it is one)"),
    ("story", "I", "number of the story's first article"),
    ("story_prev", "I", "previous member of the same story (a list from the newest back)"),
    ("story_last", "I", "on a story's first article: its newest member"),
    ("story_size", "I", "on a story's first article: members after it"),
    ("dup_prev", "I", "previous copy of the same original"),
    ("dup_last", "I", "on an original: its newest copy"),
    ("dup_count", "I", "on an original: its copies"),
    ("day", "H", "publication day (days since 1970-01-01; 0 unknown)"),
    ("shingles", "I", "shingles of the text"),
    ("dup_c", "H", "estimated containment of the best duplicate candidate"),
    ("dup_j", "H", "estimated Jaccard of the best duplicate candidate"),
    ("story_sim", "H", "cosine of the best story candidate (by story_signal)"),
    ("story_via", "I", "the best story candidate"),
    ("dup_method", "B", "0 original, 1 exact-sha256, 2 minhash-lsh"),
    ("story_method", "B", "0 new, 1 joined, 2 duplicate (its original's story)"),
    ("cmin", "H", "containment threshold in force"),
    ("jmin", "H", "Jaccard threshold (with containment) in force"),
    ("theta", "H", "story threshold in force (of story_signal)"),
    ("window", "H", "story window in days"),
    ("dup_cands", "B", "duplicate candidates examined (capped at 255)"),
    ("story_cands", "B", "story candidates examined (capped at 255)"),
    ("jalone", "H", "Jaccard threshold (alone) in force"),
    ("story_signal", "H", "what the story similarity compared: 0 TF-IDF story terms, 1 embeddings"),
    ("dup_via", "I", "the best duplicate candidate"),
)
HEADER_FORMAT = "<" + "".join(code for _, code, _ in HEADER_FIELDS)
HEADER = struct.calcsize(HEADER_FORMAT)  # 68
RECORD = HEADER + NUM_PERM + 5 * MAX_VECTOR  # 316
#: Byte offset of each header field.
OFFSETS = {name: struct.calcsize("<" + "".join(c for _, c, _ in HEADER_FIELDS[:i]))
           for i, (name, _, _) in enumerate(HEADER_FIELDS)}

DUP_METHODS = {0: None, 1: "exact-sha256", 2: "minhash-lsh"}
STORY_METHODS = {0: "new", 1: "joined", 2: "duplicate"}
STORY_SIGNALS = {0: "tfidf", 1: "embedding"}

#: Lua's struct codes for Python's.
_LUA_CODES = {"I": "I4", "H": "I2", "B": "B"}


def decode_header(raw: bytes) -> dict[str, int]:
    """A record header's fields by name."""
    return dict(zip((name for name, _, _ in HEADER_FIELDS), struct.unpack(HEADER_FORMAT, raw[:HEADER])))


def keys_of(keys: Keys) -> list[str]:
    """The KEYS every index script receives, in the prelude's order."""
    return [keys.fp_seq(), keys.fp_originals(), keys.fp_stories(), keys.fp_lsh(), keys.fp_df(), keys.fp_postings(),
            keys.fp_floor(), keys.fp_kept(), keys.fp_kept_until()]


def prefixes_of(keys: Keys) -> list[str]:
    """The first ARGV of every index script: the prefixes of the sharded key families
    (a shard or chunk number completes each)."""
    return [keys.fp_ids(0)[:-1], keys.fp_numbers(0)[:-1], keys.fp_records(0)[:-1], keys.fp_sha(0)[:-1],
            keys.fp_vectors(0)[:-1]]


def prelude() -> str:
    """The Lua that binds the constants, the record layout and the keys for every script."""
    names = ", ".join(f"'{name}'" for name, _, _ in HEADER_FIELDS)
    offsets = ", ".join(f"{name} = {off}" for name, off in OFFSETS.items())
    return "\n".join([
        "-- generated by newsflow/placement/layout.py",
        f"local REC, HEADER, REC_CHUNK, NUM_CHUNK, ID_SHARDS = {RECORD}, {HEADER}, {REC_CHUNK}, {NUM_CHUNK}, {ID_SHARDS}",
        f"local NPERM, MAXVEC, EMBED, VEC_CHUNK = {NUM_PERM}, {MAX_VECTOR}, {EMBEDDING}, {VEC_CHUNK}",
        f"local LSH_WAYS, DF_WAYS, POST_WAYS, POST_MAX = {LSH_WAYS}, {DF_WAYS}, {POST_WAYS}, {POST_MAX}",
        "local HFMT = '<" + "".join(_LUA_CODES[c] for _, c, _ in HEADER_FIELDS) + "'",
        f"local HFIELDS = {{{names}}}",
        f"local OFF = {{{offsets}}}",
        "local K_SEQ, K_ORIGINALS, K_STORIES, K_LSH, K_DF, K_POST = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]",
        "local K_FLOOR, K_KEPT, K_KEPT_UNTIL = KEYS[7], KEYS[8], KEYS[9]",
        "local P_ID, P_NUM, P_REC, P_SHA, P_VEC = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]",
        "local ARG = {unpack(ARGV, 6)}",
        "",
    ])


def with_common(body: str) -> str:
    """Lua `body` after the prelude and the shared functions (common.lua)."""
    return prelude() + lua.source("common", __package__) + "\n" + body


def script(name: str) -> str:
    """The Lua source of one index script (allocate.lua stands alone)."""
    return lua.source(name, __package__) if name == "allocate" else with_common(lua.source(name, __package__))
