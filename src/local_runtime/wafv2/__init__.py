"""AWS WAF, evaluated locally: the web ACL the plan puts in front of the web app's distribution
decides each request the runtime's CloudFront serves (``acl``), before it reaches an origin."""
