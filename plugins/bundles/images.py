"""Notice images in emails: which formats every mail client shows (their
size is read by :func:`sotong.images.image_size`)."""

# Gmail on the web shows no SVG (caniemail: image-svg), nor WebP everywhere.
EMAIL_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")
