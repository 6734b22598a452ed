"""The archive's records (Noark 5): saksmapper, journalposter, korrespondanseparter,
avskrivninger, dokumenter with versions, merknader and skjerming. All plugins read them.

Code lists follow Noark 5 (``kodelister.csv``, derived from the public-domain
tjenestegrensesnitt standard, chapter 7): records store the code, the name comes from the list.
"""
