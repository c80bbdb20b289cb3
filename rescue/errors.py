class ActionRefusedError(Exception):
    """A domain rule refuses an action; the message is for the person who asked (HTTP 400)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ActionForbiddenError(ActionRefusedError):
    """The user may see the object but this action is not theirs to take (HTTP 403)."""
