"""The local backend of the ``private`` storage (evidence documents, report PDFs).

Django's ``FileSystemStorage`` writes straight into the final file, so a worker killed or a disk filled
half-way leaves a truncated file under the real name. This one writes ``<name>.<random>.tmp`` beside it,
flushes it to disk and renames it into place: a stored file is whole or absent, as an object in an
S3-compatible store is. A temporary file left by a killed process ends in ``.tmp`` (the report
reconciler removes old ones).
"""

import os
import uuid

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full = self.path(name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        temporary = f"{full}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temporary, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, full)
        except BaseException:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
            raise
        return str(name).replace("\\", "/")
