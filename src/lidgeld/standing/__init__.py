"""A borrower's standing: what they may do today, decided from their membership,
their open contributions and their reservations (R7).

It sits above memberships, finance, circulation and notices and reads them all, so
none of those needs to know about the others: the desk page, the portal, the
kiosk's single prepared lookup and the services that refuse a blocked borrower
all ask here."""
