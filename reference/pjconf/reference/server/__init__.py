"""pjconf's own BIP 77 directory and OHTTP relay as a real HTTP server (``pjconf directory serve``).

The gateway's rules (decapsulation, routing, sealing, refusals) are the sans-IO
:class:`pjconf.reference.bip77.directory.Gateway`; this package adds what a server needs around
them: durable mailboxes (:mod:`.store`), long polls (:mod:`.waiters`), bounded request bodies
(:mod:`.body`), the relay (:mod:`.relay`), structured logs (:mod:`.logs`), the aiohttp
application (:mod:`.app`) and the process around it (:mod:`.run`). :mod:`.config` and
:mod:`.client` import no aiohttp, so the harness can name them without the ``directory`` extra.
"""
