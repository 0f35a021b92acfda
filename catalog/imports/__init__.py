"""Importing the province's existing OCOP list (Excel or CSV), as provinces publish it.

`reading` turns the uploaded bytes into rows of cells (never evaluating a formula), `checking` decides
each row's outcome against the database (create, update, unchanged or error, with reasons), and
`catalog.services.imports` stores the dry run and, once staff confirm, writes every valid row in one
transaction.
"""
