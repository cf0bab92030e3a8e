"""Event-driven watching of the configuration file (watchdog), started on demand."""
from __future__ import annotations

import os
import threading
from typing import Any, Callable


class ConfigWatcher:
    """Calls ``on_change`` when the file at ``path`` is created, modified, moved or deleted.

    The file's folder is watched (not the file), so a file created after start-up or
    replaced by an editor's rename is seen.  When the folder does not exist yet, the nearest
    existing ancestor is watched until the missing folders appear; nothing is created.
    """

    # Editors and scripts often write a file in several bursts (truncate, write, append):
    # changes are applied once the file has been quiet this long, as one version.
    SETTLE_SECONDS = 0.1

    def __init__(self, path: str, on_change: Callable[[], None]) -> None:
        self.path = os.path.abspath(path)
        self._apply = on_change
        self._timer: threading.Timer | None = None
        self._observer: Any = None
        self._watch: Any = None
        self._watched: str | None = None
        self._handler: Any = None
        self._lock = threading.Lock()

    def on_change(self) -> None:
        """Apply the file once it has settled (debounced on a timer thread)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            timer = threading.Timer(self.SETTLE_SECONDS, self._apply)
            timer.daemon = True
            self._timer = timer
            timer.start()

    def _nearest_existing_folder(self) -> str:
        folder = os.path.dirname(self.path)
        while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
            folder = os.path.dirname(folder)
        return folder

    def _schedule(self) -> None:
        with self._lock:
            folder = self._nearest_existing_folder()
            if folder == self._watched:
                return
            if self._watch is not None:
                self._observer.unschedule(self._watch)
            self._watch = self._observer.schedule(self._handler, folder, recursive=False)
            self._watched = folder

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                paths = {os.path.abspath(str(event.src_path))}
                if getattr(event, "dest_path", None):
                    paths.add(os.path.abspath(str(event.dest_path)))
                if watcher.path in paths:
                    watcher.on_change()
                elif watcher._watched != os.path.dirname(watcher.path):
                    # a missing folder on the way may have appeared: move the watch down
                    watcher._schedule()
                    if os.path.exists(watcher.path):
                        watcher.on_change()

        self._handler = Handler()
        observer = Observer()
        observer.daemon = True
        self._observer = observer
        self._schedule()
        observer.start()

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
            self._watch = self._watched = None


def config_file_event_handler_class() -> type:
    """``configuration.ConfigFileEventHandler``: the official watchdog handler, kept for scripts
    that schedule it themselves; a change to the configuration's file applies it."""
    from watchdog.events import FileSystemEventHandler

    class ConfigFileEventHandler(FileSystemEventHandler):  # type: ignore[misc]
        def __init__(self, configuration: Any) -> None:
            super().__init__()
            self.configuration = configuration
            self.config_file_path = configuration.config_file_path

        def on_modified(self, event: Any) -> None:
            if os.path.abspath(str(event.src_path)) == os.path.abspath(self.config_file_path):
                self.configuration.apply_config_file()

    ConfigFileEventHandler.__module__ = "PureCloudPlatformClientV2.configuration"
    return ConfigFileEventHandler
