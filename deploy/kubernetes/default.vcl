vcl 4.1;

import std;

# The front cache in docker-compose.yml (docs/deployment.md). It keeps what
# the application marks public (Cache-Control: public, s-maxage) and forgets
# pages when the application sends BAN (home/frontcache.py):
#
# - every object carries `x-path`, its address without the query string, so
#   one ban of a path drops the page and every filtered or paginated variant
#   of it (`?kommun=are`, `?sida=2`); a full-site purge is one ban of
#   everything. Bans test `obj.*` only, so the ban lurker clears them in the
#   background and lookups stay cheap;
# - BAN and PURGE need the header X-Purge-Token equal to the environment
#   variable FRONTEND_CACHE_PURGE_TOKEN of varnishd (no token set: nobody may
#   purge); the TLS proxy's address proves nothing, it forwards everyone;
# - a ban is refused (503) while the backend's health probe fails: the page
#   would be gone with nothing to fetch in its place. The application keeps
#   the purge (home.PendingPurge) and sends it again once gunicorn is back,
#   and until then visitors get the page Varnish has;
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
        if (!std.healthy(req.backend_hint)) {
            return (synth(503, "The backend is down: purge again later."));
        }
        if (req.method == "PURGE") {
            return (purge);
        }
        if (req.http.X-Ban-Everything == "yes") {
            if (std.ban("obj.http.x-path ~ .")) {
                return (synth(200, "Banned everything."));
            }
        } elsif (req.http.X-Ban-Path ~ "^\^") {
            # A regular expression of paths (home/frontcache.py), e.g. ^(/berattelser/|/)$
            if (std.ban("obj.http.x-path ~ " + req.http.X-Ban-Path)) {
                return (synth(200, "Banned."));
            }
        } else {
            return (synth(400, "Give X-Ban-Path or X-Ban-Everything."));
        }
        return (synth(400, "Bad ban: " + std.ban_error()));
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
    # What a ban tests: the path without the query string.
    set beresp.http.x-path = regsub(bereq.url, "\?.*$", "");
    set beresp.http.x-host = bereq.http.host;
    # The application says what may be kept (s-maxage) and what not (private,
    # no-store, Set-Cookie): Varnish's built-in rules follow those headers.
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
    unset resp.http.x-path;
    unset resp.http.x-host;
    if (obj.hits > 0) {
        set resp.http.X-Front-Cache = "hit";
    } else {
        set resp.http.X-Front-Cache = "miss";
    }
}
