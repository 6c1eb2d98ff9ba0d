"""payjoin 1.0's durable session events: typed values and their JSON and CBOR codecs."""
