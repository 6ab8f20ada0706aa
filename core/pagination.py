"""Pagination whose cost does not grow with the page number."""

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    """Find a page's primary keys first, then load only those rows, in one query.

    With ``OFFSET``, the database reads and throws away every row before the page. Read
    from an index holding the order and the keys, those rows cost little; whole rows,
    with their joins, cost more the further the page. So the page's keys are chosen in
    a subquery, and only they are loaded (``WHERE pk IN (… LIMIT 12 OFFSET 5988)``).
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)
