"""Pagination whose cost does not grow with the page number."""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, QuerySet, Value
from django.utils.functional import cached_property

from core import fragments


class KeysFirstPaginator(Paginator):
    """Find a page's primary keys first, then load only those rows, in one query.

    With ``OFFSET``, the database reads and throws away every row before the page. Read
    from an index holding the order and the keys, those rows cost little; whole rows,
    with their joins, cost more the further the page. So the page's keys are chosen in
    a subquery, and only they are loaded (``WHERE pk IN (… LIMIT 12 OFFSET 5988)``).

    ``object_list`` may be a function that returns the queryset, called when rows or keys
    are first read from the database.

    With ``memo=(name, vary)``, the count and each page's rows (with what they prefetch)
    are kept as fragments (``core.fragments``) under that name and the values that choose
    the rows: a page rendered again after a gift reads nothing from the database. With
    ``keys_only`` too, a kept page holds its rows' keys only, for lists whose items are
    kept on their own (project cards). With ``recheck`` (searches), every key of the list
    is read in one query and kept, which gives the count and every page (the matching
    would otherwise run twice, count then page); ``recheck(pks)`` tells which of these
    projects the list still holds after their searched text changed, and at which rank
    (``rank`` names the annotation the list is ordered by first; ``fragments.kept_search``);
    with ``recheck_catalogue`` too, the keys are kept across the catalogue and checked
    against the projects that changed it as well (a list of projects). ``first(number)``
    gives the keys of the first page, when fragments are in use (kept elsewhere);
    ``page_keys(bottom, top)`` the keys of a page not kept, with ``keys_only``, and
    ``counter()`` the count not kept, instead of a query built from the queryset (one
    compiled once, ``core.rows.PreparedQuery``).
    ``known_count()`` returns the count when something kept elsewhere tells it (None
    otherwise): it is then not counted, nor kept again but with ``keep``, which keeps it
    as the pages (a kept count reads back cheaper than the counts it comes from).
    With ``across_catalogue``, the count and pages are kept under the names token
    (``fragments.fragment_key``): for lists that no change of a project's place in the
    catalogue moves (the partners). ``no_partners``: a search's keys kept across the
    catalogue, under the regions token instead (``fragments.kept_search``): for lists
    whose partners' names are searched only through their projects' search documents;
    ``no_names``, under the counts token, for lists whose regions' names are searched so
    too (a region's or a sector's save keeps them); the count and pages too, for a list
    whose order depends on nothing their versions do not stand for (the partners, under
    ``fragments.ANY_PARTNER``).
    ``keep(name, vary, compute)``, instead of
    ``fragments.memo``, keeps the count and pages otherwise (e.g. across the changes of
    the catalogue that leave the list's projects alone).
    """

    def __init__(
        self,
        object_list,
        *args,
        memo: tuple[str, tuple] | None = None,
        keys_only: bool = False,
        recheck=None,
        rank: str | None = None,
        across_catalogue: bool = False,
        known_count=None,
        keep=None,
        recheck_catalogue: bool = False,
        no_partners: bool = False,
        no_names: bool = False,
        first=None,
        page_keys=None,
        counter=None,
        **kwargs,
    ):
        # A function that builds the queryset: called only when the rows or the keys are
        # read from the database, not when they are kept.
        self._build = object_list if callable(object_list) else None
        super().__init__(object_list, *args, **kwargs)
        self.memo = memo
        self.across_catalogue = across_catalogue
        self.known_count = known_count
        self.keep = keep
        self.recheck_catalogue = recheck_catalogue
        self.no_partners = no_partners or no_names
        self.no_names = no_names
        self.first = first
        self.page_keys = page_keys
        self.counter = counter
        self.recheck = recheck
        self.rank = rank
        self.all_keys = recheck is not None
        self.keys_only = keys_only or self.all_keys

    @property
    def object_list(self):
        if self._build is not None:
            self._object_list = self._build()
            self._build = None
        return self._object_list

    @object_list.setter
    def object_list(self, value):
        self._object_list = value

    def _check_object_list_is_ordered(self):
        if self._build is None:  # Not built yet: checking would build it.
            super()._check_object_list_is_ordered()

    @cached_property
    def _keys(self) -> list:
        """Every key of the list, in order, in one query (kept under ``memo``)."""
        name, vary = self.memo or ("", None)

        def rows():
            # Straight from the cursor: thousands of keys through the ORM's iterator cost
            # more than the query.
            query = ranked_keys(self.object_list, self.rank)
            compiler = query.query.get_compiler(query.db)
            sql, params = compiler.as_sql()
            # The two columns come in the order the compiler chose, not always the one asked.
            rank_at = compiler.annotation_col_map["kept_rank"]
            with connections[query.db].cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            return rows if rank_at == 1 else [(pk, rank) for rank, pk in rows]

        if vary is None:
            return [pk for pk, _rank in rows()]
        return fragments.kept_search(
            f"{name}-keys",
            vary,
            rows,
            self.recheck,
            across_catalogue=self.recheck_catalogue,
            no_partners=self.no_partners,
            no_names=self.no_names,
        )

    @cached_property
    def count(self):
        if self.all_keys:
            return len(self._keys)

        counted = self.counter or (lambda: Paginator.count.func(self))
        if self.known_count is not None and self.keep is not None and fragments.in_use():
            # Kept as the pages are (across the changes of the catalogue that leave the
            # list), known from the counts kept elsewhere when it is computed: read back
            # without them (the counts of the whole catalogue are the larger value).
            def known_or_counted():
                known = self.known_count()
                return counted() if known is None else known

            return self._memo("count", (), known_or_counted)
        # Known without a query (from counts kept elsewhere): not kept again here.
        known = self.known_count() if self.known_count is not None else None
        if known is not None:
            return known
        if self.memo is None:
            return Paginator.count.func(self)
        return self._memo("count", (), counted)

    def _memo(self, what: str, vary: tuple, compute):
        name, memo_vary = self.memo
        if self.keep is not None:
            return self.keep(f"{name}-{what}", (*memo_vary, *vary), compute)
        return fragments.memo(
            f"{name}-{what}",
            (*memo_vary, *vary),
            compute,
            across_catalogue=self.across_catalogue,
            no_partners=self.no_partners,
            no_names=self.no_names,
        )

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.all_keys:
            return self._get_page(self._keys[bottom:top], number, self)

        def rows():
            return self.object_list.filter(pk__in=self.object_list.values("pk")[bottom:top])

        if self.memo is None or not fragments.in_use():
            return self._get_page(rows(), number, self)
        if self.first is not None and bottom == 0:
            return self._get_page(self.first(top), number, self)

        def kept():
            # Built only when not kept: a queryset costs more to build than to read back.
            if self.keys_only:
                # The keys straight from the index: no rows to load around them.
                if self.page_keys is not None:
                    return self.page_keys(bottom, top)
                return list(self.object_list.values_list("pk", flat=True)[bottom:top])
            return list(rows())

        return self._get_page(self._memo("page", (bottom, top), kept), number, self)


def ranked_keys(queryset: QuerySet, rank: str | None) -> QuerySet:
    """Return ``(pk, rank)`` for each row of ``queryset``, in its order: its annotation (or
    alias) ``rank``, or 0 when it has none (a search without words)."""
    if rank and rank in queryset.query.annotations:
        value = F(rank)
    else:
        value = Value(0)
    return queryset.annotate(kept_rank=value).values_list("pk", "kept_rank")
