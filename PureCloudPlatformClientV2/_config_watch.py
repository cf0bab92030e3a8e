"""Event-driven watching of the configuration file (watchdog), started on demand."""
from __future__ import annotations

import os
from typing import Any, Callable


class ConfigWatcher:
    """Calls ``on_change`` when the file at ``path`` is created, modified, moved or deleted.

    The directory is watched (not the file) so a file created after start-up, or
    replaced by an editor's rename, is still seen.
    """

    def __init__(self, path: str, on_change: Callable[[], None]) -> None:
        self.path = os.path.abspath(path)
        self.on_change = on_change
        self._observer: Any = None

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        target = self.path
        callback = self.on_change

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                paths = {os.path.abspath(str(event.src_path))}
                if getattr(event, "dest_path", None):
                    paths.add(os.path.abspath(str(event.dest_path)))
                if target in paths:
                    callback()

        directory = os.path.dirname(self.path)
        os.makedirs(directory, exist_ok=True)
        observer = Observer()
        observer.daemon = True
        observer.schedule(Handler(), directory, recursive=False)
        observer.start()
        self._observer = observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
