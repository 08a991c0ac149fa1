vcl 4.1;

# The front cache in docker-compose.yml (docs/deployment.md). It keeps what
# the application marks public (Cache-Control: public, s-maxage) and drops a
# page when the application sends PURGE for its URL
# (wagtail.contrib.frontend_cache, FRONTEND_CACHE_PURGE_URL=http://cache).

backend web {
    .host = "web";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
}

# Only the application's containers may purge.
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
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed."));
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

sub vcl_backend_response {
    # The application says what may be kept (s-maxage) and what not (private,
    # no-store, Set-Cookie): Varnish's built-in rules follow those headers.
    if (beresp.status >= 500) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Front-Cache = "hit";
    } else {
        set resp.http.X-Front-Cache = "miss";
    }
}
