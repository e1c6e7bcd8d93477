"""Stops reading an uploaded spend file at the size limit.

Without it Django would write a file of any size to a temporary file before the
form could say it is too large.
"""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from principles.spend.transparency import MAX_FILE_BYTES

# Room for the form's other fields and the multipart boundaries around the file.
_ENVELOPE = 64 * 1024


class SpendFileSizeLimit(FileUploadHandler):
    """Skips a file of ``limit`` bytes or more, and remembers that it did (``refused``)."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit if limit is not None else MAX_FILE_BYTES
        self.refused = False
        self.body_too_large = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A request body this long holds a file over the limit: refuse before reading it.
        self.body_too_large = content_length >= self.limit + _ENVELOPE

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.body_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received >= self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file

    def _refuse(self):
        self.refused = True
        raise SkipFile()
