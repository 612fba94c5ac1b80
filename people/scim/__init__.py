"""SCIM 2.0 provisioning of people (RFC 7643/7644, issue 22): /scim/v2/.

- clients: the SCIM clients and their bearer tokens (stored hashed, shown once);
- schemas: the User resource as scim2-models validates and serialises it (the core
  attributes careermap stores, the enterprise extension's manager, careermap's role);
- users: Person <-> SCIM User, and the writes, through people.services;
- views, urls: the protocol (errors, ETags, filters, pagination, discovery).
"""
