"""What only the command-line server process needs: the access log, scenario
reloading, the event loop choice, collector tuning, progress lines while loading
and the curl lines ``--print-curl`` shows.

May import: ``emulator.app`` and everything below it, never an emulated API by
name (the curl lines come from each API's ``try_it`` hook).
"""
