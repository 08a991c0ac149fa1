vcl 4.1;

import std;
import xkey;

# The front cache in docker-compose.yml (docs/deployment.md). It keeps what
# the application marks public (Cache-Control: public, s-maxage) and forgets
# pages when the application sends PURGE with surrogate keys
# (home/frontcache.py; xkey, from varnish-modules, which the official
# `varnish` image has shipped since 7.1 and Debian packages as
# `varnish-modules`):
#
# - every object carries two keys: its path without the query string, in
#   capitals (so `/berattelser/?kommun=are` and `?sida=2` share the key of
#   `/berattelser/`, and `%c3%a4` and `%C3%A4` are one key), and `site`;
# - a purge of paths (`X-Purge-Keys`, a publish) is hard while the backend
#   is healthy: the next reader gets the page rendered anew, as an editor
#   expects. While the backend's probe fails it is soft: the page stays in
#   grace and is served stale, not 503, until gunicorn is back;
# - a full-site purge (`X-Purge-Everything: soft`: the menu, the site
#   settings) is soft: every object expires but stays in grace, and each
#   page's next reader gets the stale copy while ONE background fetch
#   renders it anew; readers never wait for a full-site purge;
#   `X-Purge-Everything: hard` (a view restriction changed: a page that
#   became private must never be served again) drops every object at once;
# - PURGE needs the header X-Purge-Token equal to the environment variable
#   FRONTEND_CACHE_PURGE_TOKEN of varnishd (no token set: nobody may purge);
#   the TLS proxy's address proves nothing, it forwards everyone. A PURGE
#   without either header drops the one URL it names (the built-in purge);
# - objects are kept 24 hours past their lifetime (grace): while the backend
#   is down or slow they are served stale instead of an error;
# - the scheme (X-Forwarded-Proto, set by the TLS proxy) is part of the
#   cache key, and a redirect is never stored unless the application marks
#   it public: the HTTP-to-HTTPS 301 can never be served on HTTPS.

# Sick after four failed probes in a row (~20 s): a gunicorn busy with a
# burst of renders answers /healthz late, and a sick backend gets no misses.
probe healthz {
    .url = "/healthz";
    .interval = 5s;
    .timeout = 5s;
    .window = 5;
    .threshold = 2;
    .initial = 2;
}

backend web {
    .host = "web";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
    .probe = healthz;
}

# Where purges may come from at all; the token decides.
acl purgers {
    "127.0.0.1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

# The TLS proxy on this host reaches Varnish from these (compose's networks).
acl proxies {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "PURGE" || req.method == "BAN") {
        if (client.ip !~ purgers
            || std.getenv("FRONTEND_CACHE_PURGE_TOKEN") == ""
            || req.http.X-Purge-Token != std.getenv("FRONTEND_CACHE_PURGE_TOKEN")) {
            return (synth(405, "Not allowed."));
        }
        if (req.method == "BAN") {
            return (synth(405, "Bans are not used: PURGE with X-Purge-Keys or X-Purge-Everything."));
        }
        if (req.http.X-Purge-Everything == "soft") {
            return (synth(200, "Expired, kept in grace: " + xkey.softpurge("site")));
        } elsif (req.http.X-Purge-Everything == "hard") {
            return (synth(200, "Purged: " + xkey.purge("site")));
        } elsif (req.http.X-Purge-Everything) {
            return (synth(400, "X-Purge-Everything is soft or hard."));
        } elsif (req.http.X-Purge-Keys && !std.healthy(req.backend_hint)) {
            # Nothing to fetch in their place: keep serving them until gunicorn is back.
            return (synth(200, "Expired, kept in grace (backend down): " + xkey.softpurge(req.http.X-Purge-Keys)));
        } elsif (req.http.X-Purge-Keys) {
            return (synth(200, "Purged: " + xkey.purge(req.http.X-Purge-Keys)));
        }
        return (purge);
    }
    # Varnish appended the TLS proxy's own address to X-Forwarded-For; drop it,
    # so gunicorn sees exactly what the proxy sent (TRUSTED_PROXY_COUNT=1).
    # A client that reaches Varnish directly (not through the TLS proxy on
    # this host) is its own address: what it sent is not believed.
    if (client.ip !~ proxies) {
        set req.http.X-Forwarded-For = client.ip;
    } elsif (req.http.X-Forwarded-For ~ ",") {
        set req.http.X-Forwarded-For = regsub(req.http.X-Forwarded-For, ",\s*[^,]+$", "");
    }
    # A healthy backend: an expired page is served at most 10 s while it is
    # fetched again. A sick one: whatever grace the page has (24 h).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors (a session) and visitors with a pending message see fresh pages.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Other cookies (the CSRF cookie) change nothing on a cacheable page; a page
    # with a form is marked private by the application and never stored.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_hash {
    # http and https are different answers (the redirect to https): the
    # built-in vcl_hash adds the URL and the host after this.
    hash_data("proto:" + req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    # The surrogate keys a purge names: the path without the query string
    # (in capitals, commas escaped: xkey splits keys on them), and the site.
    set beresp.http.xkey = std.toupper(regsuball(regsub(bereq.url, "[?#].*$", ""), ",", "%2C")) + " site";
    # The application says what may be kept (s-maxage) and what not (private,
    # no-store, Set-Cookie): Varnish's built-in rules follow those headers.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        # The refresh after a soft purge failed: keep serving the copy in grace.
        return (abandon);
    }
    if (beresp.status >= 500) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # A redirect without an explicit "public" (the HTTPS redirect has no
    # Cache-Control at all) is never stored: Varnish would keep it 2 minutes.
    if (beresp.status >= 300 && beresp.status < 400 && beresp.http.Cache-Control !~ "(^|,)\s*public\s*(,|$)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    set beresp.grace = 24h;
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Front-Cache = "hit";
    } else {
        set resp.http.X-Front-Cache = "miss";
    }
}
