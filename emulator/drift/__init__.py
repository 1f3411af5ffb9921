"""Contract drift: record the real systems, compare the emulator with the recording,
seed scenarios from recorded answers.

    cassette   the recording format (JSON Lines, one exchange a line, flushed each)
    scrub      secrets removed before anything is written
    naming     which operation (code, version) an exchange is, from the endpoint tables
    recorder   the recording reverse proxy (``emulator record``)
    documents  XML and JSON bodies as comparable trees
    rules      what is an id, what may differ (built in, extended by a file)
    diff       one recorded answer against the emulator's: the differences, the ids they pair
    replay     the cassette's requests sent in order, recorded ids swapped for the emulator's
    compare    ``emulator compare``: an emulator to replay against, the report
    report     parity per operation code and version: text, JSON, JUnit
    seed       recorded answers as a scenario file (``emulator scenario from-cassette``)
    cli        the three subcommands

The API packages know nothing of this package: it reads their endpoint tables.

May import: ``emulator.app``, ``emulator.serving`` and everything below them (the
emulated APIs included).
"""
