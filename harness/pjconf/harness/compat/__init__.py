"""``pjconf compat``: do sessions persisted by one implementation (or version) survive being
continued, and replayed, by another? ``model`` holds the counts, ``handover`` and ``replay`` do
the two checks, ``matrix`` runs them over every pair, ``notes`` explains known differences,
``corpus`` reads ``pjconf run`` reports, ``markdown`` and ``jsonout`` write the results."""
