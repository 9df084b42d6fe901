-- Local development only (DEV_MODE): what the demo webhook receiver
-- (/dev/webhooks) got, with the result of verifying its signature. Empty in
-- production, where the receiver does not exist.
CREATE TABLE dev_webhook_receipts (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  destination_id TEXT NOT NULL,
  received_at    TEXT NOT NULL,
  webhook_id     TEXT,
  type           TEXT,
  profile_id     TEXT,
  verified       INTEGER NOT NULL,     -- 1: the signature matched a current secret
  verify_error   TEXT,
  status         INTEGER NOT NULL,     -- what the receiver answered
  arrival        INTEGER NOT NULL,     -- how many times this webhook-id has arrived, this one included
  body           TEXT NOT NULL
);
CREATE INDEX dev_webhook_receipts_webhook ON dev_webhook_receipts (webhook_id);
