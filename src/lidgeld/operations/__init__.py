"""What the desk, the portal, the kiosk and the command line *do* with a borrower when
it touches several parts at once: register with a first membership, renew (period,
fee, payment, reservations, confirmation), lend and reserve under the block rules.

Each part below (memberships, finance, circulation, notices) knows only itself and
the parts under it; the steps that combine them live here, above them all."""
