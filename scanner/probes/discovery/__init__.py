"""DNS discovery: which hosts and addresses make up the provider's public face.

Looks up A, AAAA, MX, NS and CNAME of each domain and of its www name, then the
addresses of every MX and NS host. Later probes (TLS, services, web) read the
``HostAddresses`` observations instead of resolving names themselves, so the
whole scan sees one consistent picture, filtered through the address policy.
"""
