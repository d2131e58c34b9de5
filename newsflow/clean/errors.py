"""The one error the clean stage raises."""


class CleanError(ValueError):
    """The input cannot be read as an article (empty, binary, malformed JSON, no text at all).

    The message says what is wrong and what would work instead.
    """
