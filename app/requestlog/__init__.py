"""Request ids and the access log: one line per request, with the id the response also carries."""
