"""BIP 77 wire formats: messages A and B, OHTTP, BHTTP, bech32 without checksum, the pj URI."""
