#pragma once
// GapVector<T>: a sequence in one array with a gap of unused slots where the last insert or erase
// was. Appends cost what std::vector's do. Inserts in ascending order at one place in the middle
// (older items backfilled before newer ones) move the elements after that place once, and once
// more each time the gap (a quarter of the size) fills up, instead of once per insert as in a
// std::vector. Indexing and iteration skip the gap; iterators are random access and, as a
// std::vector's, invalidated by any insert or erase. T is trivially copyable: the gap moves by
// memmove.
#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

namespace naap {

template <typename T>
class GapVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>);
  template <bool kConst>
  class Iter;

 public:
  using value_type = T;
  using size_type = size_t;
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  GapVector() = default;
  GapVector(std::initializer_list<T> values) : slots_(values) {}

  size_t size() const { return slots_.size() - gap_size_; }
  bool empty() const { return size() == 0; }
  T& operator[](size_t i) { return slots_[Slot(i)]; }
  const T& operator[](size_t i) const { return slots_[Slot(i)]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size() - 1]; }
  const T& back() const { return (*this)[size() - 1]; }

  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size()}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  void push_back(T value) { insert(end(), value); }
  // Inserts `value` before `pos`; returns its position.
  iterator insert(const_iterator pos, T value) {
    const size_t i = pos.index();
    if (gap_size_ > 0) {
      MoveGapTo(i);
    } else if (i == slots_.size()) {
      slots_.push_back(value);
      return {this, i};
    } else {
      const size_t grow = slots_.size() / 4 + 8;
      slots_.insert(slots_.begin() + static_cast<std::ptrdiff_t>(i), grow, T{});
      gap_at_ = i;
      gap_size_ = grow;
    }
    slots_[gap_at_++] = value;
    --gap_size_;
    return {this, i};
  }
  // Removes [first, last): they join the gap.
  void erase(const_iterator first, const_iterator last) {
    MoveGapTo(last.index());
    gap_at_ = first.index();
    gap_size_ += last.index() - first.index();
  }
  void resize(size_t n) {
    MoveGapTo(size());
    slots_.resize(size());
    gap_size_ = 0;
    slots_.resize(n);
  }

  friend bool operator==(const GapVector& a, const GapVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  size_t Slot(size_t i) const { return i < gap_at_ ? i : i + gap_size_; }
  void MoveGapTo(size_t i) {
    T* data = slots_.data();
    if (gap_size_ > 0 && i < gap_at_) {
      std::memmove(data + i + gap_size_, data + i, (gap_at_ - i) * sizeof(T));
    } else if (gap_size_ > 0 && i > gap_at_) {
      std::memmove(data + gap_at_, data + gap_at_ + gap_size_, (i - gap_at_) * sizeof(T));
    }
    gap_at_ = i;
  }

  std::vector<T> slots_;  // the elements, with gap_size_ unused slots from gap_at_ on
  size_t gap_at_ = 0;
  size_t gap_size_ = 0;
};

template <typename T>
template <bool kConst>
class GapVector<T>::Iter {
  using Owner = std::conditional_t<kConst, const GapVector, GapVector>;

 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = std::conditional_t<kConst, const T*, T*>;
  using reference = std::conditional_t<kConst, const T&, T&>;

  Iter() = default;
  Iter(Owner* owner, size_t index) : owner_(owner), index_(index) {}
  operator Iter<true>() const { return {owner_, index_}; }  // NOLINT: as std::vector's

  size_t index() const { return index_; }
  reference operator*() const { return (*owner_)[index_]; }
  pointer operator->() const { return &(*owner_)[index_]; }
  reference operator[](difference_type n) const { return *(*this + n); }

  Iter& operator++() { return *this += 1; }
  Iter& operator--() { return *this -= 1; }
  Iter operator++(int) { return std::exchange(*this, *this + 1); }
  Iter operator--(int) { return std::exchange(*this, *this - 1); }
  Iter& operator+=(difference_type n) {
    index_ = static_cast<size_t>(static_cast<difference_type>(index_) + n);
    return *this;
  }
  Iter& operator-=(difference_type n) { return *this += -n; }
  friend Iter operator+(Iter it, difference_type n) { return it += n; }
  friend Iter operator+(difference_type n, Iter it) { return it += n; }
  friend Iter operator-(Iter it, difference_type n) { return it -= n; }
  friend difference_type operator-(const Iter& a, const Iter& b) {
    return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
  }
  friend bool operator==(const Iter& a, const Iter& b) { return a.index_ == b.index_; }
  friend auto operator<=>(const Iter& a, const Iter& b) { return a.index_ <=> b.index_; }

 private:
  Owner* owner_ = nullptr;
  size_t index_ = 0;
};

}  // namespace naap
