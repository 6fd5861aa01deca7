"""HairTint's desktop and kiosk app (Qt). Imports point one way: hairtint_desktop -> core."""
