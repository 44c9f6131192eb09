"""The Plumise protocol client (../shared/PROTOCOL.md). Knows nothing of Petals or Qt.

Imports only web3, eth-account, keyring, requests and the stdlib. Importing any module here is cheap:
eth-account and web3 (about a second each) load when a key is used or a client is built.

Modules and their public names:

* :mod:`chain.errors` — :class:`ChainError` (``str()`` = a sentence for the user, ``.detail`` = a line for
  support) and its kinds: ``RpcUnreachable``, ``WrongChain(expected, actual)``, ``InsufficientFunds``,
  ``TransactionReverted(reason, tx_hash)``, ``TransactionTimeout(tx_hash, timeout_s)``, ``OracleUnreachable``,
  ``OracleRejected(status, message)`` (``.oracle_message``), ``ClockSkew(OracleRejected)`` (``.offset_s``),
  ``ClockWentBack(wait_s)``, ``InvalidPrivateKey``, ``NoKeyringAvailable``, ``KeyStorageFailed``,
  ``KeystorePasswordWrong``, ``NothingToClaim``; :class:`chain.wallet.WeakPassword`.
* :mod:`chain.wallet` — ``Wallet.generate()``, ``Wallet.from_private_key(text)``, ``.address``,
  ``.export_private_key()``, ``.sign_text(text)``, ``.sign_transaction(tx)``; ``normalize_private_key``;
  ``KeyringStore(service="plumise-petals")``: ``available() location() save(w) load(address=None)
  stored_address() delete(address=None)``; ``EncryptedKeystore(path)``: ``exists() address()
  save(w, password) load(password) delete()``.
* :mod:`chain.client` — ``ChainClient(rpc_url, chain_id, wallet, reward_pool=…, agent_registry=None,
  state_dir=None, …)``: ``check_chain() balance() block_number() is_registered() register(model_id)
  register_sponsored(oracle, endpoint, capabilities) ensure_registered(model_id, oracle, endpoint)
  heartbeat() pending_reward() current_epoch() contribution() claim(via="contract"|"precompile")
  claim_if_above(threshold_wei=CLAIM_THRESHOLD_WEI) send_transaction(to, data, gas)``; results
  ``TxResult``, ``RegistrationResult``, ``ClaimResult``, ``Contribution``; ``HeartbeatScheduler(client,
  interval=240)``: ``start() stop() beat() last_result last_error beats failures``; ``CLAIM_THRESHOLD_WEI``.
* :mod:`chain.oracle` — ``OracleClient(base_url)``: ``post_report(body) register_node(wallet, endpoint,
  capabilities) rewards(a) agent_metrics(a) stats()``; ``build_report(...)``; ``OracleReply``.
* :mod:`chain.outbox` — ``Reporter(wallet, oracle, db_path, interval=60, flush_interval=2, …)``:
  ``record(tokens, requests=1, latency_ms=None) set_serving(bool) flush() report_now() report_soon()
  start(interval=None) stop(final_report=True) close() totals() last_result last_error on_result``;
  ``ReportResult``, ``OutboxTotals``.
* :mod:`chain.protocol`, :mod:`chain.signing`, :mod:`chain.redact`, :mod:`chain.abi`, :mod:`chain.files`,
  :mod:`chain.rpc` — constants and byte layouts, §2 messages and signatures, secret masking for log
  handlers, the ABIs of ``resources/abi``, atomic 0600 writes, the retrying JSON-RPC transport.
"""
