"""CloudFront over S3: the planned web app, served as a browser sees it."""
