"""The ports probe: which TCP ports are open on the provider's addresses, and what its
mail and FTP ports say before TLS.

A connect scan (nmap -sT, no version detection) takes a fraction of a second, so
the TLS probe can start on every TLS port it finds while the services probe is
still asking nmap what the silent ports run. The dialogues (greeting and one
capability request on IMAP, POP3, submission and FTP) tell both of them whether
STARTTLS is offered and whether a password is taken before it.
"""
