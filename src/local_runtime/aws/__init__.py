"""The local AWS endpoint: moto's server behind the runtime's own services, SigV4 checks, and
what the plan asks moto to hold."""
