// Secrets are not in wrangler.toml, so `wrangler types` cannot see them.
declare namespace Cloudflare {
  interface Env {
    /** Bearer token of the admin API; a secret (`wrangler secret put ADMIN_TOKEN`). */
    ADMIN_TOKEN?: string;
  }
}
