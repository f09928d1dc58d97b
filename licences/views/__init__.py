"""Licence pages under /licences/: public verification, the staff desk and the template editor.

The holder's own licences (the licence library, delivery choice, renewal) are pages of the applications
app, which knows who holds what.
"""
