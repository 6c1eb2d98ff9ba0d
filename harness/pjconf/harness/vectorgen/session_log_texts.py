"""payjoin 1.0 session events, exactly as ``serde_json::to_string`` should write them.

The examples of the session-log research (shared/spec/rust-payjoin-session-log.md §4.3), with
its illustrative values filled in: wherever the notes write ``P(ORIGINAL_PSBT)`` the PSBT object
of example R2 (BIP 78's Original PSBT) stands in, and R9's payjoin PSBT is that same object.
A round trip through rust-payjoin must give back each text unchanged.
"""

from __future__ import annotations

PSBT = '{"unsigned_tx":{"version":2,"lock_time":211,"input":[{"previous_output":"833b085de288cda6ff614c6e8655f61e7ae4f84604a2751998dc25a0d1ba278f:0","script_sig":"","sequence":4294967294,"witness":[]}],"output":[{"value":95983068,"script_pubkey":"a9141de849f069d274150e3afeae8d72eb5a6b09443087"},{"value":2000000,"script_pubkey":"a914774096dbcf486743c22f4347e9b469febe8b677a87"}]},"version":0,"xpub":{},"proprietary":[],"unknown":[],"inputs":[{"non_witness_utxo":null,"witness_utxo":{"value":97983400,"script_pubkey":"a914de4e1e9061ca59135b035ad5e6d47990454354d087"},"partial_sigs":{},"sighash_type":null,"redeem_script":null,"witness_script":null,"bip32_derivation":[],"final_script_sig":"160014c78a45725355828d5658074dd5260d5fcb698530","final_script_witness":["304402207c43e03a75ea7e473f76be1cb6ea54f4023667e0f44b8bc05ff6aa01fc2324d302203ff463d8f599de01235244e584344d010d205f04ceeedf67f95d78a59ea8963501","03159ac01aa0d58754c4b4d8b7d349ed1edfcf0b362b4f6b55106723a2858f8516"],"ripemd160_preimages":{},"sha256_preimages":{},"hash160_preimages":{},"hash256_preimages":{},"tap_key_sig":null,"tap_script_sigs":[],"tap_scripts":[],"tap_key_origins":[],"tap_internal_key":null,"tap_merkle_root":null,"proprietary":[],"unknown":[]}],"outputs":[{"redeem_script":"001446f61a2bba73828ee585b4a5fc37946a7d8cc514","witness_script":null,"bip32_derivation":[],"tap_internal_key":null,"tap_tree":null,"tap_key_origins":[],"proprietary":[],"unknown":[]},{"redeem_script":null,"witness_script":null,"bip32_derivation":[],"tap_internal_key":null,"tap_tree":null,"tap_key_origins":[],"proprietary":[],"unknown":[]}]}'

INPUT_PAIR = '{"txin":{"previous_output":"833b085de288cda6ff614c6e8655f61e7ae4f84604a2751998dc25a0d1ba278f:1","script_sig":"","sequence":4294967294,"witness":[]},"psbtin":{"non_witness_utxo":null,"witness_utxo":{"value":2000000,"script_pubkey":"a914c8f2cbf9ca61472c88e464d46b3574845d91d8d587"},"partial_sigs":{},"sighash_type":null,"redeem_script":null,"witness_script":null,"bip32_derivation":[],"final_script_sig":"1600145f806655e5924c9204c2d51be5394f4bf9eda210","final_script_witness":["3044022067bb7b40df25a54f45810a5b175d2f63ebd06dfb0682b3d25c8d6b4d8edbfb5602207b655801a05e2cf0c1e87185969a8e10d5cc95db097b317d1ace5a9af0d0443401","0265d63cf5b41b7c84dc76a304e6fb80eee22b31d2999d28d30d2238da30715fad"],"ripemd160_preimages":{},"sha256_preimages":{},"hash160_preimages":{},"hash256_preimages":{},"tap_key_sig":null,"tap_script_sigs":[],"tap_scripts":[],"tap_key_origins":[],"tap_internal_key":null,"tap_merkle_root":null,"proprietary":[],"unknown":[]},"expected_weight":364}'

RECEIVER_EVENTS: dict[str, str] = {
    "R1 Created": '{"Created":{"address":"tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4","directory":"https://example.com/","ohttp_keys":[1,0,22,4,30,140,46,95,13,207,204,45,247,143,72,41,63,94,0,152,157,208,151,232,202,101,33,206,120,220,160,186,181,23,165,210,105,122,210,239,183,20,245,208,104,151,235,83,206,148,115,148,43,167,151,201,63,82,107,104,211,115,189,150,233,184,119,12,0,4,0,1,0,3],"expiration":1800000000,"amount":null,"receiver_key":[[25,19,119,229,57,205,224,49,121,130,47,71,44,141,66,238,235,105,110,152,140,14,197,246,119,243,18,119,100,242,61,126],[4,32,242,226,173,118,91,238,216,43,39,82,78,118,116,188,154,140,141,21,114,221,9,205,248,146,54,184,239,227,138,39,43,14,241,92,199,80,206,165,164,40,186,153,78,116,214,120,89,254,30,114,43,8,9,69,7,182,13,164,123,211,255,73,250]],"reply_key":null,"max_fee_rate":250}}',
    "R2 RetrievedOriginalPayload": '{"RetrievedOriginalPayload":{"original":{"psbt":{"unsigned_tx":{"version":2,"lock_time":211,"input":[{"previous_output":"833b085de288cda6ff614c6e8655f61e7ae4f84604a2751998dc25a0d1ba278f:0","script_sig":"","sequence":4294967294,"witness":[]}],"output":[{"value":95983068,"script_pubkey":"a9141de849f069d274150e3afeae8d72eb5a6b09443087"},{"value":2000000,"script_pubkey":"a914774096dbcf486743c22f4347e9b469febe8b677a87"}]},"version":0,"xpub":{},"proprietary":[],"unknown":[],"inputs":[{"non_witness_utxo":null,"witness_utxo":{"value":97983400,"script_pubkey":"a914de4e1e9061ca59135b035ad5e6d47990454354d087"},"partial_sigs":{},"sighash_type":null,"redeem_script":null,"witness_script":null,"bip32_derivation":[],"final_script_sig":"160014c78a45725355828d5658074dd5260d5fcb698530","final_script_witness":["304402207c43e03a75ea7e473f76be1cb6ea54f4023667e0f44b8bc05ff6aa01fc2324d302203ff463d8f599de01235244e584344d010d205f04ceeedf67f95d78a59ea8963501","03159ac01aa0d58754c4b4d8b7d349ed1edfcf0b362b4f6b55106723a2858f8516"],"ripemd160_preimages":{},"sha256_preimages":{},"hash160_preimages":{},"hash256_preimages":{},"tap_key_sig":null,"tap_script_sigs":[],"tap_scripts":[],"tap_key_origins":[],"tap_internal_key":null,"tap_merkle_root":null,"proprietary":[],"unknown":[]}],"outputs":[{"redeem_script":"001446f61a2bba73828ee585b4a5fc37946a7d8cc514","witness_script":null,"bip32_derivation":[],"tap_internal_key":null,"tap_tree":null,"tap_key_origins":[],"proprietary":[],"unknown":[]},{"redeem_script":null,"witness_script":null,"bip32_derivation":[],"tap_internal_key":null,"tap_tree":null,"tap_key_origins":[],"proprietary":[],"unknown":[]}]},"params":{"v":1,"output_substitution":"Enabled","additional_fee_contribution":[182,0],"min_fee_rate":250}},"reply_key":null}}',
    "R3 CheckedBroadcastSuitability": '{"CheckedBroadcastSuitability":[]}',
    "R4 CheckedInputsNotOwned": '{"CheckedInputsNotOwned":[]}',
    "R5 CheckedNoInputsSeenBefore": '{"CheckedNoInputsSeenBefore":[]}',
    "R6 PostedPayjoinProposal": '{"PostedPayjoinProposal":[]}',
    "R7 IdentifiedReceiverOutputs": '{"IdentifiedReceiverOutputs":[1]}',
    "R8 CommittedOutputs": (
        '{"CommittedOutputs":{"outputs":[{"value":95983068,"script_pubkey":'
        '"a9141de849f069d274150e3afeae8d72eb5a6b09443087"},{"value":2000000,"script_pubkey":'
        '"a914774096dbcf486743c22f4347e9b469febe8b677a87"}],"change_vout":1}}'
    ),
    "R9 CommittedInputs": (
        '{"CommittedInputs":{"receiver_inputs":[' + INPUT_PAIR + '],"payjoin_psbt":' + PSBT + "}}"
    ),
    "R9 CommittedInputs, no contribution": (
        '{"CommittedInputs":{"receiver_inputs":[],"payjoin_psbt":' + PSBT + "}}"
    ),
    "R10 AppliedFeeRange": (
        '{"AppliedFeeRange":{"original_psbt":' + PSBT + ',"payjoin_psbt":' + PSBT + "}}"
    ),
    "R11 FinalizedProposal": '{"FinalizedProposal":' + PSBT + "}",
    "R12 GotReplyableError": (
        '{"GotReplyableError":{"error_code":"OriginalPsbtRejected",'
        '"message":"Can\'t broadcast. PSBT rejected by mempool.","extra":{}}}'
    ),
    "R12 GotReplyableError, mock": (
        '{"GotReplyableError":{"error_code":"Unavailable","message":"Receiver error","extra":{}}}'
    ),
    "R13 Cancelled": '"Cancelled"',
    "R14 ProtocolFailed": '"ProtocolFailed"',
    "R15 Closed Aborted": '{"Closed":"Aborted"}',
    "R15 Closed FallbackBroadcasted": '{"Closed":"FallbackBroadcasted"}',
    "R15 Closed PayjoinProposalSent": '{"Closed":"PayjoinProposalSent"}',
    "R15 Closed Success": '{"Closed":{"Success":"' + "0" * 64 + '"}}',
    "R15 Closed Unrecognized": '{"Closed":{"Unrecognized":"' + "0" * 64 + '"}}',
}

SENDER_EVENTS: dict[str, str] = {
    "S1 Created": '{"Created":{"pj_param":{"directory":"https://PAYJO.IN/TXJCGKTKXLUUZ#EX1WKV8CEC-OH1QYPM59NK2LXXS4890SUAXXYT25Z2VAPHP0X7YEYCJXGWAG6UG9ZU6NQ-RK1Q0DJS3VVDXWQQTLQ8022QGXSX7ML9PHZ6EDSF6AKEWQG758JPS2EV","id":[89,165,132,89,118,55,249,193],"expiration":1736218741,"ohttp_keys":[1,0,22,4,186,22,118,87,204,104,84,229,124,57,211,24,139,85,4,166,116,55,11,205,226,100,152,145,144,238,163,92,65,69,205,76,21,118,248,240,111,110,37,147,117,226,55,178,56,214,120,202,184,229,243,77,83,44,229,232,42,122,150,193,36,47,120,235,0,4,0,1,0,3],"receiver_pubkey":[4,219,40,69,140,105,156,0,47,224,59,212,160,32,208,55,183,242,134,226,214,91,4,235,182,203,128,143,80,242,12,21,150,220,251,0,162,51,16,150,167,108,126,141,101,78,206,37,4,69,237,111,78,38,129,218,216,199,234,158,245,136,200,89,35]},"psbt_ctx":{"original_psbt":P(ORIGINAL_PSBT),"output_substitution":"Enabled","fee_contribution":{"max_amount":91,"vout":0},"min_fee_rate":250,"payee":"a914774096dbcf486743c22f4347e9b469febe8b677a87"},"reply_key":[144,85,48,44,165,34,197,4,122,15,232,114,118,81,251,83,53,194,235,214,172,45,44,96,53,3,144,70,41,69,0,217]}}'.replace(
        "P(ORIGINAL_PSBT)", PSBT
    ),
    "S2 PostedOriginalPsbt": '{"PostedOriginalPsbt":[]}',
    "S3 Cancelled": '{"Cancelled":[]}',
    "S4 Closed Aborted": '{"Closed":"Aborted"}',
    "S5 Closed Success": '{"Closed":{"Success":' + PSBT + "}}",
}
