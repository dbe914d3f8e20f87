"""Order notifications: ``UploadReceived`` -> a short message on a chat webhook."""
